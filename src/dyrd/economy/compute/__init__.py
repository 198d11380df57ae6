"""Pure maths of the economy domain: composite indices, inequality, value added in trade."""
