"""Django apps, one per bounded context. They may import the core; the core never imports them."""
