from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.eventstore import eventstore_env
from shared.settings import ServiceSettings, TokenSettings, state_dir

DEFAULT_SECRET = "motcua-sandbox-secret-change-me"
SANDBOX_PORT = 8091


class PaymentSettings(ServiceSettings, TokenSettings):
    """Settings of the payment API, its worker and the VNPay-protocol sandbox.

    The merchant side and the sandbox read the same terminal code and secret, so
    switching to the real provider means changing ``vnpay_*`` only. Everything the
    service keeps is in PostgreSQL (``postgres_dsn``), in the schema ``pg_schema()``
    (``payment`` unless ``MOTCUA_PAYMENT_POSTGRES_SCHEMA`` says otherwise): the event
    store and the read model beside it. The sandbox, standing in for the provider, keeps
    its own transactions in a file of its own.
    """

    model_config = SettingsConfigDict(env_prefix="MOTCUA_PAYMENT_")

    sandbox: bool = Field(
        False,
        description="Sandbox mode (the VNPay-protocol sandbox, no real money): only then "
        "are the public default hash secret and test failpoints accepted. `motcua up`, "
        "docker-compose.yml and the test suites turn it on.",
    )
    consumer_group: str = Field("motcua-payment", description="Kafka group of the worker.")
    worker_port: int = Field(0, description="HTTP port (probes) of the payment worker.")

    online_method: Literal["vnpay_sandbox", "vnpay"] = Field(
        "vnpay_sandbox", description="Name recorded for online payments: the sandbox or VNPay."
    )
    vnpay_tmn_code: str = Field("MOTCUA01", description="VNPay terminal code (vnp_TmnCode).")
    vnpay_hash_secret: SecretStr = Field(
        SecretStr(DEFAULT_SECRET), description="VNPay terminal secret (vnp_HashSecret)."
    )
    vnpay_payment_url: str = Field(
        f"http://127.0.0.1:{SANDBOX_PORT}/paymentv2/vpcpay.html",
        description="Provider's payment page the citizen is sent to.",
    )
    vnpay_api_url: str = Field(
        f"http://127.0.0.1:{SANDBOX_PORT}/merchant_webapi/api/transaction",
        description="Provider's merchant API (querydr, refund).",
    )
    vnpay_report_url: str = Field(
        f"http://127.0.0.1:{SANDBOX_PORT}/merchant_webapi/api/report",
        description="Provider's daily transaction report (reconciliation).",
    )
    vnpay_return_url: str = Field(
        "http://127.0.0.1:8000/thanh-toan/ket-qua",
        description="Where the provider sends the citizen's browser back (vnp_ReturnUrl): "
        "the portal's «Kết quả thanh toán» page on the gateway, which shows the order's "
        "state (the IPN alone confirms payments). `motcua up` sets it to its gateway.",
    )
    checkout_ttl_seconds: int = Field(
        900, ge=1, description="How long a payment attempt stays open (vnp_ExpireDate)."
    )
    order_expiry_days: int = Field(
        15,
        ge=0,
        description="Working days an unpaid order stays payable after it is opened "
        "(weekends and Vietnam's public holidays skipped); then the worker expires it.",
    )
    order_expiry_sweep_seconds: float = Field(
        300, gt=0, description="Pause between the worker's sweeps for expired orders."
    )
    late_charge_sweep_seconds: float = Field(
        30,
        gt=0,
        description="Pause between the worker's sweeps for charges to give back (a payment "
        "on an attempt that no longer pays its order); a refused refund is retried then.",
    )
    server_ip: str = Field(
        "127.0.0.1",
        description="This server's address as the provider's merchant API is told it "
        "(vnp_IpAddr) when the system asks for a refund.",
    )

    sandbox_port: int = Field(SANDBOX_PORT, description="HTTP port of the VNPay sandbox.")
    sandbox_ipn_url: str = Field(
        "http://127.0.0.1:8000/api/v1/payments/vnpay/ipn",
        description="Merchant IPN address the sandbox notifies (VNPay's merchant config).",
    )
    sandbox_ipn_attempts: int = Field(10, ge=1, description="IPN deliveries before giving up.")
    sandbox_ipn_backoff_seconds: float = Field(
        1.0, gt=0, description="First pause between IPN deliveries; doubles, at most 30 s."
    )
    sandbox_db_path: Path | None = Field(
        None, description="Sandbox transactions; default $MOTCUA_STATE_DIR/payment/sandbox.db."
    )
    failpoint: Literal["", "after_ipn_saved"] = Field(
        "", description="Tests only: crash the process at this point (sandbox mode only)."
    )

    @model_validator(mode="after")
    def _refuse_defaults_outside_sandbox(self) -> PaymentSettings:
        if self.sandbox:
            return self
        if self.vnpay_hash_secret.get_secret_value() == DEFAULT_SECRET:
            raise ValueError(
                "MOTCUA_PAYMENT_VNPAY_HASH_SECRET is the public default: set the terminal's "
                "secret, or MOTCUA_PAYMENT_SANDBOX=true for a sandbox run (no real money)"
            )
        if self.failpoint:
            raise ValueError(
                "MOTCUA_PAYMENT_FAILPOINT is for tests: only with MOTCUA_PAYMENT_SANDBOX=true"
            )
        return self

    @property
    def secret(self) -> str:
        return self.vnpay_hash_secret.get_secret_value()

    def eventstore_env(self) -> dict[str, str]:
        """The event store: PostgreSQL, in payment's own schema beside its read model."""
        env = eventstore_env(
            "postgres", postgres_dsn=self.require("postgres_dsn"), postgres_schema=self.pg_schema()
        )
        # The library tries a lost connection 10 times, each waiting this long for one:
        # a PostgreSQL that is down answers 503 well within the gateway's 30 s.
        env["POSTGRES_CONNECT_TIMEOUT"] = "2"
        return env

    def sandbox_db(self) -> Path:
        path = self.sandbox_db_path or state_dir() / "payment" / "sandbox.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
