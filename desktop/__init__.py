"""claimmark: close reading of news articles, marking claims, evidence and opinion."""

__version__ = "0.1.0"
