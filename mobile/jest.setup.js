// jest setup: nothing global yet
