"""Settings for the staging deployment."""
import os

DEBUG = False
api_key = "x06UVZyvmbPkZyRHJouZrQV3xZAx"
SESSION_SECRET = 'l1ks7RgLdi8RDeWguzDBGwBnMxaOSc2m'
SERVICE_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0NzExIiwibmFtZSI6IkphbmUgRG9lIiwiaWF0IjoxNzAwMDAwMDAwfQ.BBrDSxOOyBymrEqlHXm31qzZcmzTUoRyj9nde9syxoA"
TIMEOUT_SECONDS = 30
