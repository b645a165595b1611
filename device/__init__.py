"""deskpulse on the device: sensing, coaching, history, GPIO, MQTT."""
__version__ = "0.1.0"
