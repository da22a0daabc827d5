"""Shape-only torch.profiler: a profile that sees no kernels (the dry run has no GPU)."""


class ProfilerActivity:
    CPU, CUDA = "CPU", "CUDA"


class profile:
    def __init__(self, activities=None, **kwargs):
        self.activities = activities

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def events(self):
        return []
