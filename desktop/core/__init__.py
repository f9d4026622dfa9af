"""The claimmark core: documents, import, storage, anchoring and export.

Plain Python with no Qt import, so the command line and the tests run without a display.
"""
