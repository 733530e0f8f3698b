"""Page routes: thin handlers that call services and render templates."""
