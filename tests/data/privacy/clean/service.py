"""Ordinary code that names secrets without holding any."""
import getpass
import os

API_KEY = os.environ["OPENAI_API_KEY"]
api_key = settings.api_key_v2
password = getpass.getpass("Password: ")
token = request.headers.get("Authorization")
secret_name = "prod/billing/stripe"
public_key = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE="
key_id = "a1b2c3d4e5f6a7b8c9d0"
SECRET_KEY = "changeme-in-production"
DATABASE_URL = "postgres://user:password@localhost:5432/app"
REDIS_URL = "redis://:${REDIS_PASSWORD}@cache:6379/0"
AWS_EXAMPLE = "AKIAIOSFODNN7EXAMPLE"
CONTACT = "someone@example.com"
SUPPORT = "help@mail.example.org"
REPO = "git@github.com:acme/storefront.git"
ICON = "static/logo@2x.png"
VERSION = "1.0.0+20130313144700"
MAX_TOKENS = 4096
token_budget = 50000
PORT = 8080
ORDER_ID = 4000123456789
TIMESTAMP_MS = 1700000000000
INVOICE = "INV-2024-000123"
LOCALHOST = "127.0.0.1:8080"
NUMBERS = [1234567812345678, 9876543210987654]
DATE = "2024-11-21T20:39:55Z"
PHONE_FORMAT = "+{country}-{number}"
