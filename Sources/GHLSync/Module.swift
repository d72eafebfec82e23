// GHLSync: placeholder until the module lands.
