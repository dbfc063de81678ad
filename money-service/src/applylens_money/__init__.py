"""money-service: receipts found in the mailbox, amounts and merchants extracted, duplicate
charges and spending (``GET /money/receipts.csv``, ``/money/duplicates``, ``/money/summary``).

``extract_imported(index, docs)`` is the hook an importer calls after writing mail."""


async def extract_imported(index, docs, settings=None):  # type: ignore[no-untyped-def]
    """See :func:`applylens_money.bootstrap.extract_imported`."""
    from .bootstrap import extract_imported as run

    return await run(index, docs, settings)
