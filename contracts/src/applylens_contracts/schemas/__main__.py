from . import write

for path in write():
    print(path)
