"""kekiz.cli"""
