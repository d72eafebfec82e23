// GHLServer: placeholder until the module lands.
