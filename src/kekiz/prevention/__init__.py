"""kekiz.prevention"""
