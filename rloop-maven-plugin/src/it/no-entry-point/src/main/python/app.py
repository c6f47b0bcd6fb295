print("never packaged")
