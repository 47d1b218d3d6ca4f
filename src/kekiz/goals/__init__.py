"""kekiz.goals"""
