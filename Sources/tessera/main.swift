print("tessera: not yet")
