// placeholder until the terminal simulator CLI lands
