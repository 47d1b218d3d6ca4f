"""kekiz.domain"""
