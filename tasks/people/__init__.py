"""Who someone is and what they may see: accounts, tokens and passwords, the visibility rules."""
