from services.payment.worker.main import main

main()
