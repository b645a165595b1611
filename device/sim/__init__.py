"""The simulator: a simulated person at a simulated desk, and scoring against its truth.
"""
