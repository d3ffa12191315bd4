from services.payment.entrypoints.http.app import main

main()
