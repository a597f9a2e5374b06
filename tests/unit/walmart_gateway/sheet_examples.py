"""The example bodies of walmart-api.md, copied section by section. The sheet abbreviates
with "…"; those spots are filled with plausible values and marked ``# filled``."""

from __future__ import annotations

# §2 token
TOKEN = b'{"access_token":"eyJraWQiOi.a.b.c","token_type":"Bearer","expires_in":900}'

# §2 token detail
TOKEN_DETAIL = b"""{"expire_at":"1560973098000","issued_at":"1560972198000","is_valid":true,
"is_channel_match":true,"scopes":{"reports":"view_only","item":"full_access","price":"no_access",
"lagtime":"full_access","feeds":"view_only","returns":"full_access","orders":"full_access",
"inventory":"full_access","content":"full_access"}}"""

# §2 401, gateway envelope
UNAUTHORIZED = b"""{"error":[{"code":"UNAUTHORIZED.GMP_GATEWAY_API","field":"UNAUTHORIZED",
"description":"Unauthorized","info":"Unauthorized token or incorrect authorization header.",
"severity":"ERROR","category":"DATA","causes":[],"errorIdentifiers":{}}]}"""

# §6.1 404 when empty, service envelope
ORDERS_NOT_FOUND = b"""{"errors":{"error":[{"code":"CONTENT_NOT_FOUND.GMP_ORDER_API",
"description":"Failed when called getAllOrders. Orders not found for given search parameters",
"info":"Requested content could not be found.","severity":"INFO","category":"APPLICATION",
"causes":[],"errorIdentifiers":{"entry":[]}}]}}"""

# §6.3 ship error
SHIP_REJECTED = b"""{"errors":{"error":[{"code":"INVALID_REQUEST_CONTENT.GMP_ORDER_API",
"field":"methodCode","description":"Method code is not supported in line number 1",
"info":"Request content is invalid.","severity":"ERROR","category":"DATA",
"errorIdentifiers":{"entry":[]}}]}}"""

# §3.1
FEED_ACCEPTED = b'{"feedId":"F129C19240844B97A3C6AD8F1A2C4997@AU8BAQA"}'

# §3.2 feed list
FEED_LIST = b"""{"totalResults":115,"offset":0,"limit":50,"results":{"feed":[{
"feedId":"F129C19240844B97A3C6AD8F1A2C4997@AU8BAgA","feedSource":"MARKETPLACE_PARTNER",
"feedType":"item","partnerId":"100009","itemsReceived":1,"itemsSucceeded":1,"itemsFailed":0,
"itemsProcessing":0,"feedStatus":"PROCESSED","feedDate":1568148230011,"modifiedDtm":1568148252067,
"fileName":"item.json","itemDataErrorCount":0,"itemSystemErrorCount":0,"itemTimeoutErrorCount":0,
"channelType":"0f3e4dd4-0514-4346-b39d-af0e00ea066d","orgId":"f5e3d5f5"}]}}"""  # filled ids

# §3.2 feed detail with a partial failure
FEED_DETAIL = b"""{"feedId":"F129C19240844B97A3C6AD8F1A2C4997@AU8BAQA","feedStatus":"PROCESSED",
"feedSubmissionDate":1568310803059,"ingestionErrors":{"ingestionError":null},
"itemsReceived":2,"itemsSucceeded":1,"itemsFailed":1,"itemsProcessing":0,"offset":0,"limit":50,
"itemDetails":{"itemIngestionStatus":[
 {"martId":0,"sku":"SKU-1","wpid":"71ZLHHMKNS6G","index":0,"itemid":"51681142",
  "ingestionStatus":"SUCCESS","ingestionErrors":{"ingestionError":null}},
 {"martId":0,"sku":"SKU-2","wpid":null,"index":1,"ingestionStatus":"DATA_ERROR",
  "ingestionErrors":{"ingestionError":[{"type":"DATA_ERROR","code":"ERR_PDI_0047",
  "description":"ID Type=GTIN, ID Value=00012345678906, invalid check-digit in product ID"}]}}]}}"""

# §3.3 items
ITEMS = b"""{"ItemResponse":[{"mart":"WALMART_US","sku":"SKU-1","wpid":"0RCPILAXM0C1","upc":"",
"gtin":"06932096330348","productName":"Baby carrier","shelf":"[\\"Home Page\\",\\"Baby\\"]",
"productType":"Baby Carriers","price":{"currency":"USD","amount":3},
"publishedStatus":"PUBLISHED","lifecycleStatus":"ACTIVE",
"unpublishedReasons":{"reason":["Reasonable price not satisfied"]},"variantGroupId":"VG1",
"variantGroupInfo":{"isPrimary":true,"groupingAttributes":[{"name":"actual_color","value":"Red"}]}}],
"totalItems":1,"nextCursor":"AoE/GjA0YmQ+xyz="}"""  # filled: productName, reason, cursor tail

# §4
PRICE_ANSWER = (
    b'{"ItemPriceResponse":{"mart":"WALMART_US","message":"Thank you. Your price has '
    b"been updated. Please allow up to five minutes for this change to be reflected "
    b'on the site.","sku":"SKU-1"}}'
)

# §5
INVENTORY = b'{"sku":"SKU-1","quantity":{"unit":"EACH","amount":10}}'
INVENTORIES_SKU = b"""{"sku":"AR-1","nodes":[{"shipNode":"100009","inputQty":{"unit":"EACH",
"amount":5},"availToSellQty":{"unit":"EACH","amount":3},"reservedQty":{"unit":"EACH","amount":2}}]}"""

# §6.2 order list (the whole example)
ORDERS = b"""{"list":{
 "meta":{"totalCount":31,"limit":10,"nextCursor":"?limit=10&hasMoreElements=true&soIndex=31&poIndex=10&partnerId=100009&sellerId=8&createdStartDate=2019-09-01&createdEndDate=2019-09-17T18:47:03.703Z"},
 "elements":{"order":[{
  "purchaseOrderId":"1796277083022","customerOrderId":"5281956426648",
  "customerEmailId":"3A31739D8B0A45A1B23F7F8C81C8747F@relay.walmart.com",
  "orderType":"REGULAR","originalCustomerOrderID":null,
  "orderDate":1568466571000,
  "shippingInfo":{"phone":"3155598681","estimatedDeliveryDate":1569438000000,
   "estimatedShipDate":1568700000000,"methodCode":"Value",
   "postalAddress":{"name":"Kathryn Cole","address1":"3258B Warners rd","address2":null,
    "city":"Warners","state":"NY","postalCode":"13164","country":"USA","addressType":"RESIDENTIAL"}},
  "orderLines":{"orderLine":[{
   "lineNumber":"1",
   "item":{"productName":"Laundry Bag","sku":"test1"},
   "charges":{"charge":[
    {"chargeType":"PRODUCT","chargeName":"ItemPrice","chargeAmount":{"currency":"USD","amount":10.00},
     "tax":{"taxName":"Tax1","taxAmount":{"currency":"USD","amount":0.80}}},
    {"chargeType":"SHIPPING","chargeName":"Shipping","chargeAmount":{"currency":"USD","amount":5.00},
     "tax":null}]},
   "orderLineQuantity":{"unitOfMeasurement":"EACH","amount":"1"},
   "statusDate":1568466647000,
   "orderLineStatuses":{"orderLineStatus":[{"status":"Created",
     "statusQuantity":{"unitOfMeasurement":"EACH","amount":"1"},
     "cancellationReason":null,"trackingInfo":null}]},
   "refund":null,
   "fulfillment":{"fulfillmentOption":"S2H","shipMethod":"VALUE","storeId":null,
    "pickUpDateTime":1568919600000,"pickUpBy":null,"shippingProgramType":null}}]},
  "shipNode":{"type":"SellerFulfilled","name":null,"id":null}}]}}}"""

# §7 returns (abridged where the sheet abridges: trackingStatuses/returnTrackingDetail dropped)
RETURNS = b"""{"meta":{"totalCount":40,"limit":10,"nextCursor":"?sellerId=151&limit=10&offset=10"},
 "returnOrders":[{"returnOrderId":"103738048909818825","customerEmailId":"x@relay.walmart.com",
  "customerName":{"firstName":"Jane","lastName":"Doe"},
  "customerOrderId":"1234567891234","returnOrderDate":"2019-02-21T01:01:08.000Z",
  "returnByDate":"2019-03-23T01:01:06.000Z",
  "refundMode":"POST_DELIVERY","returnType":"REFUND",
  "totalRefundAmount":{"currencyAmount":127.45,"currencyUnit":"USD"},
  "returnLineGroups":[{"groupNo":1,"returnLines":[{"returnOrderLineNumber":1}],
    "labels":[{"labelImageURL":"https://example.com/l.png","carrierInfoList":[{"carrierId":"11",
    "carrierName":"FEDEX","serviceType":"FedEx Ground","trackingNo":"785611449666"}]}],
    "returnExpectedFlag":true}],
  "returnOrderLines":[{"returnOrderLineNumber":1,"salesOrderLineNumber":1,
   "purchaseOrderId":"4790210558890","purchaseOrderLineNumber":1,"sellerOrderId":"123",
   "returnReason":"ARRIVED_LATE","isReturnForException":false,"exceptionItemType":null,
   "item":{"sku":"ANTL-0700","productName":"Antler lamp",
     "itemWeight":{"unitOfMeasure":"POUND","measurementValue":5}},
   "charges":[{"chargeCategory":"PRODUCT","chargeName":"ItemPrice",
     "chargePerUnit":{"currencyAmount":119.95,"currencyUnit":"USD"},"isDiscount":false,
     "isBillable":true,
     "tax":[{"taxName":"Tax1","taxPerUnit":{"currencyAmount":7.5,"currencyUnit":"USD"},
       "excessTax":{"currencyAmount":0,"currencyUnit":"USD"}}],
     "excessCharge":{"currencyAmount":0,"currencyUnit":"USD"},
     "references":[{"name":"isAdjustment","value":"false"}]}],
   "unitPrice":{"currencyAmount":119.95,"currencyUnit":"USD"},
   "chargeTotals":[{"name":"lineUnitPrice","value":{"currencyAmount":119.95,"currencyUnit":"USD"}},
     {"name":"lineTotal","value":{"currencyAmount":127.45,"currencyUnit":"USD"}}],
   "quantity":{"unitOfMeasure":"EACH","measurementValue":1},"cancellableQty":0,"refundedQty":0,
   "rechargeableQty":0,"refundChannel":"SELLER_MANUAL_REFUND","status":"INITIATED",
   "statusTime":"2019-02-21T01:01:08.000Z","currentDeliveryStatus":"NOT_SHIPPED",
   "currentRefundStatus":"REFUND_INITIATED","returnExpectedFlag":true,"isKeepIt":false,
   "isFastReplacement":false,"lastItem":false}],
  "returnChannel":{"channelName":"ONLINE"}}]}"""  # filled: URL, product name

# §8.1
RECON_DATES = b'{"availableApReportDates":["07032018","07012018"]}'

RECON_JSON = b"""{"reportData":[
 {"Period Start Date":"12/11/2025","Period End Date":"12/19/2025","Currency":"USD",
  "Transaction Type":"PaymentSummary","Total Payable":"0.74",
  "Transaction Description":"Deposited in  account","Transaction Posted Timestamp":"01/02/2025"},
 {"Transaction Key":"2020_12_19_317","Transaction Posted Timestamp":"12/18/2020",
  "Transaction Type":"Sale","Transaction Description":"Purchase",
  "Customer Order #":"6222001976751","Customer Order line #":"1",
  "Purchase Order #":"1803550130406","Purchase Order line #":"1",
  "Amount":"14.98","Amount Type":"Product Price","Ship Qty":"1","Partner Item Id":"sku-123",
  "Partner GTIN":"05705584961234","Partner Item Name":"Bag clip","Product Tax Code":"100",
  "Ship to State":"AR","Ship to City":"Bentonville","Ship to Zipcode":"72712",
  "Contract Category":"Apparel & Accessories","Product Type":"Bag Clips",
  "Shipping Method":"Marketplace value","Fulfillment Type":"Seller Fulfilled",
  "Period Start Date":"\\"\\""}],
 "nextOffset":973,"totalRecords":1,"description":"Number of Lines in file 479             "}"""

# §9.1
SUBSCRIPTIONS_CREATED = b"""{"events":[{"eventType":"PO_CREATED",
"subscriptionId":"620b45a0-b321-11ea-ac13-1f88d6025b7d","partnerId":"12300000359",
"eventVersion":"V1","resourceName":"ORDER","status":"ACTIVE"}]}"""
EVENT_TYPES = b"""{"events":[{"resourceName":"ORDER","eventType":"PO_CREATED","eventVersion":"V1",
"description":"A purchase order was created"}]}"""  # filled description
