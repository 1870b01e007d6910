"""riskctl: a git-native risk register toolkit."""

__version__ = "0.1.0"
