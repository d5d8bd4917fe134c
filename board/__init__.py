"""IMG Opportunity Board: the domain, the store, the web app, mail, settings and the CLI."""
