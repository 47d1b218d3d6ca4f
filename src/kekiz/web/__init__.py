"""kekiz.web"""
