from aiges.sdk import WrapperBase


class Wrapper(WrapperBase):
    serviceId = "bad"

    def wrapperInit(self, config):
        return 7

    def wrapperError(self, ret):
        return "license missing" if ret == 7 else ""
