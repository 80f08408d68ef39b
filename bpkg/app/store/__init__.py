"""The read side: the store port, its result types, the rules both adapters share, and the adapters."""
