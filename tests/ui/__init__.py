"""Browser flows written once, run in every notebook UI through its small adapter."""
