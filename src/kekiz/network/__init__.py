"""kekiz.network"""
