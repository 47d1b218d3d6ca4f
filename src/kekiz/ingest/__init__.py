"""kekiz.ingest"""
