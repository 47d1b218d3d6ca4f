from kekiz.cli.main import run

run()
