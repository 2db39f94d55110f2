"""The JSON API for HR and clinic systems (/api/v1/), and the API tokens that open it."""
