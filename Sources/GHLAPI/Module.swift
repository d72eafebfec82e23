// GHLAPI: placeholder until the module lands.
