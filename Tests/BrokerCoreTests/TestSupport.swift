@_exported import BrokerTestSupport
