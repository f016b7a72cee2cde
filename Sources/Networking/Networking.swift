// Networking module.
