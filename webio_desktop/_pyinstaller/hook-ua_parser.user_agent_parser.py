"""ua_parser (user agents) loads YAML rules only when asked to; its built-in rules need no YAML."""
excludedimports = ["yaml"]
