"""walmart-gateway: owns Walmart credentials, the token cache, throttling and every REST call."""
