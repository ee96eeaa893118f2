"""placeholder"""
def openapi_spec():
    return {"openapi": "3.1.0"}
