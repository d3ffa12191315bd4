from services.payment.entrypoints.worker.main import main

main()
