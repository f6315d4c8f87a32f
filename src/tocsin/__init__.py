"""tocsin: real-time cyber-alert and incident-sharing hub for healthcare establishments."""

__version__ = "0.1.0"
