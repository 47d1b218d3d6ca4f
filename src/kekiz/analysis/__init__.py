"""kekiz.analysis"""
