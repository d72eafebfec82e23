// GHLAuth: placeholder until the module lands.
