// GHLSandbox: placeholder until the module lands.
