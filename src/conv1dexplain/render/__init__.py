"""Human views (rich). Nothing here computes: it draws report objects."""
