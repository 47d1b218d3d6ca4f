"""kekiz.reporting"""
