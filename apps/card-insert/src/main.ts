// placeholder until the card-insert service main lands
