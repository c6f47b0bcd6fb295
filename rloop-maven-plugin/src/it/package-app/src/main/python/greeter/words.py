from importlib import resources


def greeting():
    return resources.files("greeter").joinpath("data/greeting.txt").read_text().strip()
