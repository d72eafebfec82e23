// GHLRealtime: placeholder until the module lands.
